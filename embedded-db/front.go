package main

// The front: what clients connect to. FerretDB applies an update as read, modify, write back,
// without a lock, so two clients updating one document lose one of the updates. The front
// passes every message through to FerretDB and serializes the writes of each collection,
// which gives MongoDB's single-document atomicity to every client of this process (and, with
// the data directory's lock, of the data).

import (
	"bufio"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

// front relays client connections to FerretDB's internal socket.
type front struct {
	backend string // FerretDB's Unix socket
	locks   namespaceLocks
}

// namespaceLocks holds one mutex per "db.collection" ever written (a few dozen here).
type namespaceLocks struct {
	mu     sync.Mutex
	byName map[string]*sync.Mutex
}

func (l *namespaceLocks) lock(namespace string) (unlock func()) {
	l.mu.Lock()
	if l.byName == nil {
		l.byName = make(map[string]*sync.Mutex)
	}
	m := l.byName[namespace]
	if m == nil {
		m = new(sync.Mutex)
		l.byName[namespace] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// serve accepts clients until the listener is closed.
func (f *front) serve(listener net.Listener) {
	for {
		client, err := listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of file descriptors, typically: wait for some to close rather than spin.
			log.Printf("embedded-db: accept: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go f.relay(client)
	}
}

// relay serves one client over its own FerretDB connection (cursors live and die with it),
// one request at a time, as drivers send them. Either side closing ends both.
func (f *front) relay(client net.Conn) {
	defer client.Close()
	backend, err := net.Dial("unix", f.backend)
	if err != nil {
		log.Printf("embedded-db: connect to FerretDB: %v", err)
		return
	}
	defer backend.Close()
	fromClient := bufio.NewReader(client)
	fromBackend := bufio.NewReader(backend)
	for {
		msg, err := readMessage(fromClient)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				log.Printf("embedded-db: client message: %v", err)
			}
			return
		}
		req, err := parseRequest(msg)
		if err != nil {
			// FerretDB would refuse it and close the connection too.
			log.Printf("embedded-db: client message: %v", err)
			return
		}
		reply, err := f.exchange(req, msg, backend, fromBackend)
		if err != nil {
			return
		}
		// FerretDB answers even a request with moreToCome (w:0), which the client does not
		// read: the answer is dropped, or the next reply would be this one.
		if req.moreToCome {
			continue
		}
		if _, err := client.Write(reply); err != nil {
			return
		}
	}
}

// exchange sends one request to FerretDB and reads its reply, under the collection's lock for
// a write: the lock is released once FerretDB has answered, that is once the write is done.
func (f *front) exchange(req request, msg []byte, backend net.Conn, fromBackend *bufio.Reader) ([]byte, error) {
	if req.isWrite() {
		unlock := f.locks.lock(req.namespace())
		defer unlock()
		if w, ok := fencedWriteOf(req, msg); ok {
			return runFenced(w, req, msg, backend, fromBackend)
		}
	}
	if _, err := backend.Write(msg); err != nil {
		return nil, err
	}
	return readMessage(fromBackend)
}
