/**
 * What one Binance product serves on the loopback exchange. The exchange owns what every product
 * shares (weight accounting per IP, fault injection, API key, signature and timestamp checks) and
 * asks each product's routes for its paths' weights and bodies; a new product (USD-M, Portfolio
 * Margin) is a new folder with a `routes.ts` beside `coinm/` and `spot/`, not branches here.
 */
import type { SignedRequest } from "./signature.js";

/** A valid signed call, after the exchange checked key, signature, timestamp and weight. */
export interface SignedCall extends SignedRequest {
  readonly path: string;
  /** This key's valid calls to this path before this one (0, 1, ...). */
  readonly callIndex: number;
}

export interface ProductRoutes {
  /** Documented request weight of every path the product serves; a path not listed is a 404. */
  readonly weights: Readonly<Record<string, number>>;
  /**
   * The per-IP weight counter its paths count against: Binance counts each futures product apart
   * (fapi's 2,400 a minute beside dapi's). @default the exchange's shared counter (COIN-M, spot)
   */
  readonly weightGroup?: string;
  /** The product's own per-IP weight limit (papi's 6,000); absent: the exchange's `weightLimit`. */
  readonly weightLimit?: number;
  /** The body of an unsigned path; undefined when the path is signed. */
  unsigned(path: string): unknown;
  /** The body of a signed path, or undefined when the key holds nothing here (answered -2015). */
  signed(call: SignedCall): string | undefined;
}
