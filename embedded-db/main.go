// Command embedded-db runs FerretDB (MongoDB wire protocol) on SQLite files as
// the service's zero-install default database. It is embedded as a library
// because a `go install`ed ferretdb binary panics at start (its version file
// is not part of the module download).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (loopback only)")
	dataDir := flag.String("data", "./data", "directory for the SQLite files")
	flag.Parse()

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatalf("embedded-db: data directory: %v", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		log.Fatalf("embedded-db: create data directory: %v", err)
	}

	// busy_timeout: concurrent writers wait for the SQLite lock instead of failing.
	sqliteURL := "file:" + dir + "/?_pragma=busy_timeout(30000)"

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		log.Fatalf("embedded-db: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The parent process waits for this line before connecting.
	fmt.Printf("embedded-db: listening on %s, data in %s\n", *listen, dir)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("embedded-db: %v", err)
	}
}
