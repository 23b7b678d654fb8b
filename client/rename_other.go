//go:build !linux

package client

// renameNoReplace renames from to to without replacing an existing target,
// by link + unlink.
func renameNoReplace(from, to string) error { return linkRename(from, to) }
