// Command meridian-kms serves github.com/nsmithuk/local-kms (an AWS KMS API emulator) on a
// loopback address, for the real-engine e2e tier: one per residency domain, holding that
// domain's state key. Never a production key store.
//
//	meridian-kms -addr 127.0.0.1:0 -data DIR [-region R] [-account ID] [-ready-file FILE]
//
// Why not upstream's main (start.go): it listens on 0.0.0.0 (PORT env), and its YAML seeding
// (KMS_SEED_PATH) is reachable only through that main. Here the server binds loopback only,
// and keys/aliases are created through the KMS API itself (CreateKey, CreateAlias), which is
// what test/e2e/harness does. Keys are stored under their ARN, so -region and -account are
// part of every key's identity (as in AWS).
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"

	kms "github.com/nsmithuk/local-kms/src"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0: any free port)")
	dir := flag.String("data", "", "directory for the key database (required)")
	region := flag.String("region", "eu-central-1", "region in every key ARN")
	account := flag.String("account", "111122223333", "account id in every key ARN")
	ready := flag.String("ready-file", "", "write the listening address here once ready")
	flag.Parse()
	if err := run(*addr, *dir, *region, *account, *ready); err != nil {
		log.Fatalf("meridian-kms: %v", err)
	}
}

func run(addr, dir, region, account, ready string) error {
	if dir == "" {
		return fmt.Errorf("-data DIR is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	config.AWSRegion, config.AWSAccountId, config.DatabasePath = region, account, abs
	database := data.NewDatabase(abs)
	defer database.Close()

	ln, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	if ready != "" {
		if err := os.WriteFile(ready+".tmp", []byte(ln.Addr().String()+"\n"), 0o600); err != nil {
			return err
		}
		if err := os.Rename(ready+".tmp", ready); err != nil {
			return err
		}
	}
	log.Printf("meridian-kms: serving KMS for %s (account %s) on http://%s, data %s", region, account, ln.Addr(), abs)
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kms.HandleRequest(w, r, database)
	}))
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
