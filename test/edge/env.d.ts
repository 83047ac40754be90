// Types the `env` that cloudflare:test hands the workerd suite: the Worker's own bindings.
declare namespace Cloudflare {
  type EdgeEnv = import("../../edge/config/env").Env;
  interface Env extends EdgeEnv {}
}
