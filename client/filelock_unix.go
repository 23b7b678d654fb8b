//go:build unix

package client

import (
	"errors"
	"fmt"
	"syscall"
)

// processExists asks the kernel with kill(pid, 0), which sends nothing.
func processExists(pid int, lock string) error {
	switch err := syscall.Kill(pid, 0); {
	case err == nil, errors.Is(err, syscall.EPERM):
		return nil
	case errors.Is(err, syscall.ESRCH):
		return errNoProcess(pid, lock)
	default:
		return fmt.Errorf("client: checking process %d, owner of %s: %w", pid, lock, err)
	}
}
