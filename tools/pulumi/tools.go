//go:build tools

// Package tools pins the Pulumi CLI module so `go build` of the cmd package
// resolves to the exact release the TypeScript side uses (@pulumi/pulumi 3.248.0).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
