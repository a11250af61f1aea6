//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// lockDataDir takes an exclusive flock on <dir>/.lock and records this
// process in it; a *dataDirInUseError names the live process holding it.
func lockDataDir(dir string) (*os.File, error) {
	file, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer file.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder, _ := os.ReadFile(file.Name())
			return nil, &dataDirInUseError{holder: strings.TrimSpace(string(holder))}
		}
		return nil, err
	}
	record := fmt.Sprintf("pid %d, parent pid %d\n", os.Getpid(), os.Getppid())
	if err := file.Truncate(0); err == nil {
		_, err = file.WriteAt([]byte(record), 0)
	}
	if err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}

// restrictNewFiles makes every file this process creates from now on (SQLite files, the
// socket) readable and writable by its user only, whatever the inherited umask.
func restrictNewFiles() {
	syscall.Umask(0o177)
}
