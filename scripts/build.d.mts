/** The Node packages scripts/build.mjs compiles, in dependency order. */
export declare const PACKAGES: string[];
/** Builds when dist/ is missing or older than a source; resolves to whether it built. */
export declare function ensureBuilt(): Promise<boolean>;
/** Builds now; resolves to how long it took in milliseconds. */
export declare function build(): Promise<number>;
/** The newest modification time of these files and of everything under these directories (0 for none). */
export declare function newestMtime(entries: string[]): number;
/** Runs `fn` holding a lock directory, waiting while another process holds it (a lock older than `staleAfterMs`, default 60 s, is taken over). */
export declare function withLock<T>(lock: string, fn: () => Promise<T>, staleAfterMs?: number): Promise<T>;
