/**
 * The spot API's one endpoint the monitor reads, served by the loopback exchange beside COIN-M:
 * `GET /sapi/v1/account/apiRestrictions`, answered from each key's permission flags.
 */
import type { ProductRoutes } from "../routes.js";
import { API_RESTRICTIONS_PATH, API_RESTRICTIONS_WEIGHT, type KeyPermissionTable } from "./key-permissions.js";

export function spotRoutes(keyPermissions: KeyPermissionTable): ProductRoutes {
  return {
    weights: { [API_RESTRICTIONS_PATH]: API_RESTRICTIONS_WEIGHT },
    unsigned: () => undefined,
    signed: (call) => (call.path === API_RESTRICTIONS_PATH ? keyPermissions.body(call.apiKey) : undefined),
  };
}
