//go:build tools

// Package tools pins the etcd server module (its module root is the etcd main package).
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
