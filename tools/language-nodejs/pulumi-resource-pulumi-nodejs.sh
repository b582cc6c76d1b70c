#!/bin/sh
# meridian's shim for Pulumi's bundled "pulumi-nodejs" resource plugin, which serves
# Node.js dynamic providers (pulumi.dynamic.Resource). The engine starts it from the
# program directory; it runs @pulumi/pulumi's dynamic-provider entry point with node.
# tools/setup-engine.sh installs it as .tools/bin/pulumi-resource-pulumi-nodejs.
script=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || {
  echo "pulumi-resource-pulumi-nodejs: cannot resolve @pulumi/pulumi/cmd/dynamic-provider from $(pwd); run npm install" >&2
  exit 1
}
exec node "$script" "$@"
