export function bundleIsStale(): boolean;
export function ensureBundle(opts?: { force?: boolean }): Promise<boolean>;
