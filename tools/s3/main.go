// Command meridian-s3 serves github.com/johannesboyne/gofakes3 (an S3 API server) on a
// loopback address, for the real-engine e2e tier: one server per residency domain, holding
// that domain's state and evidence buckets. Never a production store.
//
//	meridian-s3 -addr 127.0.0.1:0 -backend memory|bolt [-bolt.db FILE] [-bucket NAME]... [-ready-file FILE]
//
// -addr must be a loopback address (port 0 picks a free port). Once listening, the chosen
// address is written to -ready-file (atomically), so a harness needs no port guessing.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

type buckets []string

func (b *buckets) String() string     { return strings.Join(*b, ",") }
func (b *buckets) Set(v string) error { *b = append(*b, v); return nil }

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0: any free port)")
	kind := flag.String("backend", "memory", "storage: memory (gone on exit) or bolt (a file, see -bolt.db)")
	boltDB := flag.String("bolt.db", "", "bolt database file (with -backend bolt)")
	ready := flag.String("ready-file", "", "write the listening address here once ready")
	var names buckets
	flag.Var(&names, "bucket", "bucket to create at start (repeatable)")
	flag.Parse()

	if err := run(*addr, *kind, *boltDB, *ready, names); err != nil {
		log.Fatalf("meridian-s3: %v", err)
	}
}

func run(addr, kind, boltDB, ready string, names []string) error {
	backend, err := open(kind, boltDB)
	if err != nil {
		return err
	}
	for _, b := range names {
		if err := backend.CreateBucket(b); err != nil && !gofakes3.IsAlreadyExists(err) {
			return fmt.Errorf("create bucket %q: %w", b, err)
		}
	}
	ln, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	if err := writeReady(ready, ln.Addr().String()); err != nil {
		return err
	}
	log.Printf("meridian-s3: serving %s backend on http://%s (buckets: %s)", kind, ln.Addr(), strings.Join(names, ", "))
	// Path-style only (the e2e URLs use s3ForcePathStyle=true): no host-bucket routing.
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(false))
	return http.Serve(ln, faker.Server())
}

func open(kind, boltDB string) (gofakes3.Backend, error) {
	switch kind {
	case "memory":
		return s3mem.New(), nil
	case "bolt":
		if boltDB == "" {
			return nil, fmt.Errorf("-backend bolt needs -bolt.db FILE")
		}
		return s3bolt.NewFile(boltDB)
	default:
		return nil, fmt.Errorf("-backend must be memory or bolt, got %q", kind)
	}
}

// listenLoopback refuses any address that is not on the loopback interface.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("-addr %q is not a loopback address", addr)
	}
	return net.Listen("tcp", addr)
}

func writeReady(file, addr string) error {
	if file == "" {
		return nil
	}
	if err := os.WriteFile(file+".tmp", []byte(addr+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(file+".tmp", file)
}
