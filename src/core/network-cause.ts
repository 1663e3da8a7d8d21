/**
 * Why a connection to the upstream failed, in the operator's terms, from the error's code: the
 * same words at run time (tool errors, the debug log) and in `doctor`. Only the code is read,
 * never the error's message (it may name paths or addresses the operator did not choose).
 */

export interface NetworkCause {
  /** The system or TLS error code, e.g. `ENOTFOUND`. */
  code: string;
  /** What happened, e.g. "the host name does not resolve". */
  text: string;
  /** What to fix: names the variable. */
  fix: string;
  certificate: boolean;
}

/** The variables a fix names: the URL's, and where trusted CAs come from. */
export interface CauseVariables {
  url: string;
  /** E.g. ["VAST_CA_FILE", "NODE_EXTRA_CA_CERTS"]. */
  ca: readonly string[];
}

const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_GET_ISSUER/;

/** The cause of a failed connection, or undefined when its error carries no code this knows. */
export function networkCause(error: unknown, variables: CauseVariables): NetworkCause | undefined {
  const code = errorCode(error);
  if (code === undefined) return undefined;
  const ca = variables.ca.join(" or ");
  const cause = (text: string, fix: string, certificate = false) => ({ code, text: `${text} (${code})`, fix, certificate });
  switch (code) {
    case "ENOTFOUND":
      return cause("the host name does not resolve", `check the host name in ${variables.url} and this machine's DNS`);
    case "EAI_AGAIN":
      return cause("the host name could not be looked up now (DNS did not answer)", `check this machine's DNS, then the host name in ${variables.url}`);
    case "ECONNREFUSED":
      return cause("nothing accepts connections at that address and port", `check the host and port in ${variables.url}, and that the server runs`);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return cause("no route to the host", `check the network, a firewall, and the host in ${variables.url}`);
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return cause("the connection was not accepted in time", `check a firewall and the host and port in ${variables.url}`);
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return cause("the connection was cut", `check a proxy or firewall between here and ${variables.url}`);
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return cause("the certificate is not for this host name", `use the host name the certificate names in ${variables.url}`, true);
    case "CERT_HAS_EXPIRED":
      return cause("the server's certificate has expired", "the server's administrator must renew it", true);
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return cause("the server did not speak TLS", `check the scheme (https or http) and port in ${variables.url}`);
  }
  if (CERTIFICATE.test(code)) return cause("the server's certificate could not be verified", `set ${ca} to the PEM bundle of the CA that signed it`, true);
  return undefined;
}

/** The code of an error or of its cause (undici wraps the socket's error). */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH" && !code.startsWith("ABORT")) {
      if (code !== "UND_ERR_SOCKET" || !(current as { cause?: unknown }).cause) return code;
    }
  }
  return undefined;
}
