// The entry of the prebuilt browser module web/dist/speaker-id.js (built by .ci/setup with esbuild, for pages
// without a bundler): the package's API, with its files looked up next to itself (the rest of web/dist/) unless
// the page calls setAssetBase() first.
import { setAssetBase } from './assets.mjs';

export * from './index.mjs';

setAssetBase(new URL('./', import.meta.url));
