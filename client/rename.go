package client

import "os"

// linkRename publishes from as to with link(2), which never replaces an
// existing target, then removes from.
func linkRename(from, to string) error {
	if err := os.Link(from, to); err != nil {
		return err
	}
	return os.Remove(from)
}
