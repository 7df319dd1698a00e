/**
 * Where each Binance host lives: every REST host read the same way (a bare origin, https, plain
 * http on loopback only) and the market stream (wss, plain ws on loopback only), each failure a
 * ConfigError naming the variable. Read once at start-up by lib/config.ts and by the CLI.
 */
import { ConfigError } from "../core/errors.js";
import { type Env, isLoopback, read } from "../core/parse.js";
import { COINM_STREAM_URL, checkStreamUrl } from "./stream/url.js";

/** The variables that name a Binance REST host. */
export type BinanceUrlVariable =
  | "BINANCE_BASE_URL"
  | "BINANCE_SPOT_BASE_URL"
  | "BINANCE_USDM_BASE_URL"
  | "BINANCE_PM_BASE_URL";

/** Each REST host's default origin: the one source for the monitor, synth and the CLI. */
export const BINANCE_HOSTS: Readonly<Record<BinanceUrlVariable, string>> = {
  BINANCE_BASE_URL: "https://dapi.binance.com",
  BINANCE_SPOT_BASE_URL: "https://api.binance.com",
  BINANCE_USDM_BASE_URL: "https://fapi.binance.com",
  BINANCE_PM_BASE_URL: "https://papi.binance.com",
};

/**
 * A Binance base URL from `variable`: a bare origin (scheme, host, optional port; nothing else),
 * https, or plain http on loopback only. A user name or password, a path, a query or a fragment
 * is refused rather than cut off: cutting silently would call a host other than the one written
 * (a proxy's path prefix dropped), and credentials in it would land in the template.
 */
export function binanceUrl(env: Env, variable: BinanceUrlVariable): string {
  const fallback = BINANCE_HOSTS[variable];
  const text = read(env, variable) ?? fallback;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(variable, "is not a URL (an origin such as https://dapi.binance.com)");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(variable, "must use https (plain http is allowed only on loopback)");
  }
  // Said without repeating the value: it may hold a password.
  if (url.username || url.password) throw new ConfigError(variable, "must not contain a user name or password");
  if (url.pathname !== "/" || url.search || url.hash || /[?#]/.test(text)) {
    throw new ConfigError(variable, `must be a bare origin such as ${fallback}, without a path, query or fragment`);
  }
  return url.origin;
}

/** The market stream's origin from BINANCE_STREAM_URL: wss, or plain ws on loopback only. */
export function binanceStreamUrl(env: Env, variable = "BINANCE_STREAM_URL"): string {
  const checked = checkStreamUrl(read(env, variable) ?? COINM_STREAM_URL);
  if ("problem" in checked) throw new ConfigError(variable, checked.problem);
  return checked.origin;
}
