// The flux-gitops Pulumi package: the components it publishes (as `flux-gitops:index:<class>`). Pulumi's analyzer
// starts here (package.json `exports`) and builds the schema from the TypeScript of what is exported.
export { FluxGitOps } from "./infra/components/gitops.ts";
