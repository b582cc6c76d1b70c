// Command pulumi-resource-kubernetes is our own entry point for the Pulumi Kubernetes
// provider. Upstream's cmd/pulumi-resource-kubernetes embeds generated files that are not
// part of the published module, so this wrapper embeds files produced by ./gen at build
// time (see tools/setup-engine.sh). The provider logic itself comes unchanged from
// github.com/pulumi/pulumi-kubernetes/provider/v4 (version pinned in go.mod).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
