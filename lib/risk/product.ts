/**
 * The Binance products a pool or position lives in, and what each one's pools are called. One
 * source for the id prefix and the label suffix, so a USD-M pool never shares an id or a name
 * with a COIN-M one (every COIN-M id and label stays as it was before products).
 */

/**
 * COIN-M (dapi), USD-M (fapi) or a Portfolio Margin account (papi). Absent on a pool or
 * position (every snapshot and state written before products): COIN-M.
 */
export type Product = "coinm" | "usdm" | "portfolio";

/** How people name each product's book. */
export const PRODUCT_NAMES: Readonly<Record<Product, string>> = {
  coinm: "COIN-M",
  usdm: "USD-M",
  portfolio: "Portfolio Margin",
};

/** Prefix of a non-COIN-M pool id ("usdm:USDT"); COIN-M ids carry none, as before products. */
const PREFIXED = /^(usdm|portfolio):(.+)$/;

/** A pool id in its product: COIN-M's bare, any other's prefixed so the two never collide. */
export function productPoolId(product: Product | undefined, id: string): string {
  return product === undefined || product === "coinm" ? id : `${product}:${id}`;
}

/** The product of a pool id and the id within that product. */
export function splitPoolId(id: string): { readonly product: Product; readonly local: string } {
  const m = PREFIXED.exec(id);
  return m ? { product: m[1] as Product, local: m[2] as string } : { product: "coinm", local: id };
}

/** A pool's label in its product: COIN-M's as before, any other's says which book ("USDT cross (USD-M)"). */
export function productLabel(product: Product | undefined, label: string): string {
  return product === undefined || product === "coinm" ? label : `${label} (${PRODUCT_NAMES[product]})`;
}

/** A pool or position of COIN-M: no product (written before products) or "coinm". */
export function isCoinm(p: { readonly product?: Product | undefined }): boolean {
  return p.product === undefined || p.product === "coinm";
}
