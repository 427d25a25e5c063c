// How Flux authenticates to a Git repository over SSH, and how it is asked to fetch again once the key changes:
// both the flux-system sync and image automation's write access use them.

/**
 * The keys of the SSH Secret source-controller reads for a GitRepository (`spec.secretRef`): the private key, its
 * public key and the known hosts (fluxcd/source-controller api/v1/gitrepository_types.go: "For SSH repositories the
 * Secret must contain 'identity' and 'known_hosts' fields"; `identity.pub` as `flux create secret git` writes it).
 */
export function sshSecretData<T>(
  key: { privateKey: T; publicKey: T },
  knownHosts: string,
): Record<"identity" | "identity.pub" | "known_hosts", T | string> {
  return { identity: key.privateKey, "identity.pub": key.publicKey, known_hosts: knownHosts };
}

/**
 * The annotation that asks a Flux controller to reconcile now; any new value does (fluxcd/pkg apis/meta
 * annotations.go `ReconcileRequestAnnotation`). flux-gitops sets it to the deploy key's fingerprint, so a rotated
 * key is fetched with at once.
 */
const RECONCILE_REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

/** `annotations` with a request to reconcile, marked `token` (a new token is a new request). */
export function requestReconcile(annotations: Record<string, string> | undefined, token: string): Record<string, string> {
  return { ...annotations, [RECONCILE_REQUESTED_AT]: token };
}
