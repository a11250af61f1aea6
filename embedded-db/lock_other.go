//go:build !unix

package main

import "os"

// lockDataDir opens <dir>/.lock without locking it: flock is not available
// here (Windows), so a second service on the same data directory goes undetected.
func lockDataDir(dir string) (*os.File, error) {
	return os.OpenFile(dir+string(os.PathSeparator)+".lock", os.O_RDWR|os.O_CREATE, 0o600)
}

// restrictNewFiles: no umask here; the data directory's ACL applies.
func restrictNewFiles() {}
