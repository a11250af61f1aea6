// Command embedded-db runs FerretDB (MongoDB wire protocol) on SQLite files as
// the service's zero-install default database. It is embedded as a library
// because a `go install`ed ferretdb binary panics at start (its version file
// is not part of the module download).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// exitDataDirInUse tells the parent that another live process holds the data
// directory (see lockDataDir); the parent turns it into one clear line.
const exitDataDirInUse = 3

// stopGrace bounds how long FerretDB may take to close its connections and
// SQLite files once asked to stop (SIGTERM); after it the process exits anyway.
const stopGrace = 2 * time.Second

// maxSocketPath: sun_path holds 108 bytes on Linux, the terminating NUL included
// (104 on the BSDs and macOS; the parent checks the shorter bound).
const maxSocketPath = 107

// backendSocket is FerretDB's socket, relative to the data directory (the working directory).
const backendSocket = "ferretdb.sock"

// dataDirInUseError: another live process holds the data directory's lock.
type dataDirInUseError struct {
	holder string // its record, "pid N, parent pid M" (empty if not written yet)
}

func (e *dataDirInUseError) Error() string { return "data directory in use by " + e.holder }

func main() {
	listen := flag.String("listen", "", "TCP address to listen on, no authentication (benchmarks and tests only; default: no TCP listener)")
	socket := flag.String("socket", "", "Unix socket path to listen on (the service's way: reachable only by its user)")
	dataDir := flag.String("data", "./data", "directory for the SQLite files")
	watchStdin := flag.Bool("watch-stdin", false,
		"stop when stdin reaches end of file (the parent keeps a pipe open for its lifetime, so the database dies with it, even on kill -9)")
	flag.Parse()

	if *listen == "" && *socket == "" {
		log.Fatal("embedded-db: give -socket or -listen")
	}
	if *socket != "" {
		// Absolute: the process works in the data directory from the start of FerretDB on.
		path, err := filepath.Abs(*socket)
		if err != nil {
			log.Fatalf("embedded-db: socket path: %v", err)
		}
		*socket = path
	}
	if len(*socket) > maxSocketPath {
		log.Fatalf("embedded-db: socket path %s is longer than %d bytes", *socket, maxSocketPath)
	}
	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatalf("embedded-db: data directory: %v", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		log.Fatalf("embedded-db: create data directory: %v", err)
	}
	// From here on, files (the SQLite files, the socket) are created for this user only:
	// they hold password hashes and login-token hashes.
	restrictNewFiles()

	// Held until the process ends, however it ends: the kernel drops the lock
	// with the last file descriptor, so a crash never leaves a stale lock.
	lock, err := lockDataDir(dir)
	var inUse *dataDirInUseError
	if errors.As(err, &inUse) {
		fmt.Fprintf(os.Stderr, "embedded-db: data directory %s is in use by another running embedded-db (%s)\n", dir, inUse.holder)
		os.Exit(exitDataDirInUse)
	}
	if err != nil {
		log.Fatalf("embedded-db: lock data directory: %v", err)
	}
	defer lock.Close()

	if *socket != "" {
		// A crashed predecessor leaves its socket file behind, and listening on an existing
		// path fails. Holding the data directory's lock means no live process is using it.
		if err := os.Remove(*socket); err != nil && !errors.Is(err, os.ErrNotExist) {
			log.Fatalf("embedded-db: remove stale socket: %v", err)
		}
	}

	// FerretDB listens on a socket in the private data directory, reached only through the
	// front (front.go). The process works in that directory so that the socket's path is
	// short however long the directory's is (a socket path holds 107 bytes).
	if err := os.Chdir(dir); err != nil {
		log.Fatalf("embedded-db: enter data directory: %v", err)
	}
	if err := os.Remove(backendSocket); err != nil && !errors.Is(err, os.ErrNotExist) {
		log.Fatalf("embedded-db: remove stale socket: %v", err)
	}

	// busy_timeout: concurrent writers wait for the SQLite lock instead of failing.
	sqliteURL := "file:" + dir + "/?_pragma=busy_timeout(30000)"

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: backendSocket},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		log.Fatalf("embedded-db: %v", err)
	}

	var listeners []net.Listener
	for _, address := range []struct{ network, address string }{{"unix", *socket}, {"tcp", *listen}} {
		if address.address == "" {
			continue
		}
		listener, err := net.Listen(address.network, address.address)
		if err != nil {
			log.Fatalf("embedded-db: %v", err)
		}
		listeners = append(listeners, listener)
	}
	front := &front{backend: backendSocket}
	for _, listener := range listeners {
		go front.serve(listener)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			// Nothing is ever written: Read returns only when the parent is gone.
			// Nobody is left to serve, and SQLite is crash-safe (every acknowledged
			// write is committed), so exit at once rather than wait for in-flight
			// operations of a dead client. No log line: the parent's end of our
			// stdout/stderr is gone too.
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
	}
	go func() {
		<-ctx.Done()
		// Closing a Unix listener removes its socket file. Clients still connected lose
		// their FerretDB connection as FerretDB stops, which ends theirs.
		for _, listener := range listeners {
			listener.Close()
		}
		time.Sleep(stopGrace)
		log.Printf("embedded-db: not stopped after %s: exiting", stopGrace)
		os.Exit(1)
	}()

	// The parent process waits for this line before connecting: the front accepts by now.
	where := *socket
	if *listen != "" {
		where = strings.TrimPrefix(*socket+" and "+*listen, " and ")
	}
	fmt.Printf("embedded-db: listening on %s, data in %s\n", where, dir)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("embedded-db: %v", err)
	}
}
