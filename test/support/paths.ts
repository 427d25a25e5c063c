// The repository root, for tests that read the project's own files or start its CLIs (infra/repository.ts).
export { REPOSITORY_ROOT as ROOT } from "../../infra/repository.ts";
