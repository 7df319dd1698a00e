/**
 * The spot API's one endpoint the monitor reads, served by the loopback exchange beside COIN-M:
 * `GET /sapi/v1/account/apiRestrictions`, answered from each key's permission flags. Binance
 * counts the spot API's weight apart from the futures APIs', against its own limit.
 */
import { SPOT_WEIGHT_LIMIT } from "../../../lib/binance/spot/read-permissions.js";
import type { ProductRoutes } from "../routes.js";
import { API_RESTRICTIONS_PATH, API_RESTRICTIONS_WEIGHT, type KeyPermissionTable } from "./key-permissions.js";

export function spotRoutes(keyPermissions: KeyPermissionTable): ProductRoutes {
  return {
    weights: { [API_RESTRICTIONS_PATH]: API_RESTRICTIONS_WEIGHT },
    weightGroup: "spot",
    weightLimit: SPOT_WEIGHT_LIMIT,
    unsigned: () => undefined,
    signed: (call) => (call.path === API_RESTRICTIONS_PATH ? keyPermissions.body(call.apiKey) : undefined),
  };
}
