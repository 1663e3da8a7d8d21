/**
 * SolarNetwork's token vocabulary: types, statuses and policy enums. Free of zod, so that reading
 * the configuration (which checks a token type) loads nothing heavy before the stdio front answers.
 */

export const TOKEN_TYPES = ["User", "ReadNodeData"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export const TOKEN_STATUSES = ["Active", "Disabled"] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

export const AGGREGATIONS = [
  "None", "Minute", "FiveMinute", "TenMinute", "FifteenMinute", "ThirtyMinute", "Hour", "HourOfDay",
  "HourOfYear", "SeasonalHourOfDay", "Day", "DayOfWeek", "DayOfYear", "SeasonalDayOfWeek", "Week",
  "WeekOfYear", "Month", "Year", "RunningTotal",
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const LOCATION_PRECISIONS = [
  "LatLong", "Block", "Street", "PostalCode", "Locality", "StateOrProvince", "Region", "TimeZone", "Country",
] as const;
export type LocationPrecision = (typeof LOCATION_PRECISIONS)[number];
