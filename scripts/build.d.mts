/** The Node packages scripts/build.mjs compiles, in dependency order. */
export declare const PACKAGES: string[];
/** Builds when dist/ is missing or older than a source; resolves to whether it built. */
export declare function ensureBuilt(): Promise<boolean>;
/** Builds now; resolves to how long it took in milliseconds. */
export declare function build(): Promise<number>;
