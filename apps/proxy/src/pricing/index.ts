export { callPricer, type CallPricer, type PricedCall } from "./call-pricer.ts";
export { costOf, type CostBreakdown, type CostResult } from "./cost.ts";
export { libraryPrices, type LibraryLookup, type LibraryPrices } from "./library-prices.ts";
export { INFERENCE_PROFILE_PREFIXES, resolveModelId, stripProfilePrefix, type ModelIdKind, type ResolvedModelId } from "./model-id.ts";
export {
  buildPriceTable,
  loadPriceTable,
  PriceTableError,
  validatePriceTableFile,
  type GuardrailPrices,
  type LoadPriceTableOptions,
  type ModelPriceEntry,
  type PriceLookup,
  type PriceSource,
  type PriceTable,
  type PriceTableFile,
  type TokenPrices,
} from "./price-table.ts";
