//go:build !unix

package client

import (
	"errors"
	"fmt"
)

// processExists cannot tell here: the machine then judges the lock by its
// age.
func processExists(pid int, lock string) error {
	return fmt.Errorf("client: checking process %d, owner of %s: %w", pid, lock, errors.ErrUnsupported)
}
