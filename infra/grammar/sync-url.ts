// The URL Flux clones the sync repository from: `ssh://git@<host>/<owner>/<name>`, the form source-controller's
// GitRepository takes for an SSH deploy key (`spec.url` pattern `^(http|https|ssh)://.*$`, fluxcd/source-controller
// api/v1/gitrepository_types.go, commit 065d6ef). The program sets it; the policies expect it.

export interface RepositoryAddress {
  /** e.g. `github.com` */
  host: string;
  owner: string;
  name: string;
}

/** `ssh://git@<host>/<owner>/<name>` */
export const syncUrl = ({ host, owner, name }: RepositoryAddress): string => `ssh://git@${host}/${owner}/${name}`;
