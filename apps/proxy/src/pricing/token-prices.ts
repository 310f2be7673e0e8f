// What a model costs, per unit: the shape every price layer (operator file, library, hand table) fills in.

/**
 * One size tier of an image-generation model's per-image prices, in USD per 1,000 images. A model's tiers go from
 * the smallest size up; an image is priced by the first tier it fits.
 */
export interface ImagePriceTier {
  /** The largest image (width × height in pixels) this tier prices; absent: any size. */
  maxPixels?: number;
  /** Per 1,000 standard-quality images (or images of a model with one quality). */
  standard: number;
  /** Per 1,000 premium-quality images; absent: the model has one quality. */
  premium?: number;
}

/**
 * USD per 1,000 units: tokens, except `query` (per 1,000 Rerank queries), `videoSeconds` (per 1,000 seconds of
 * generated video), `inputImage` (per 1,000 images embedded) and `images` (per 1,000 images generated, by size and
 * quality). Missing cache prices: cache tokens are priced at the input rate, with a warning.
 */
export interface TokenPrices {
  input: number;
  output: number;
  cacheRead?: number;
  /** Cache writes with the default 5-minute TTL. */
  cacheWrite?: number;
  /** Cache writes with a 1-hour TTL. */
  cacheWrite1h?: number;
  /** Speech tokens in and out (speech-to-speech models: Nova Sonic). */
  inputAudio?: number;
  outputAudio?: number;
  /** Rerank: per 1,000 queries (a query of more than 100 documents counts as one per started 100). */
  query?: number;
  /** Video generation (StartAsyncInvoke): per 1,000 seconds of output. */
  videoSeconds?: number;
  /** Multimodal embeddings: per 1,000 images given as input. */
  inputImage?: number;
  /** Image generation (InvokeModel): per 1,000 images, by size tier and quality. */
  images?: ImagePriceTier[];
}
