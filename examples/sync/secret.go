package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// secretVars names the environment variables that hold side's password
// ("A" or "B"): the password itself, or a command printing it.
func secretVars(side string) (password, command string) {
	return "IOEMAIL_" + side + "_PASSWORD", "IOEMAIL_" + side + "_PASSCMD"
}

// errSecret marks a password command that failed: the command exits with 1
// (the command line was fine; the command it ran was not).
var errSecret = errors.New("password command failed")

// secret returns the password of side ("A" or "B") for a store whose URL
// names user: $IOEMAIL_<side>_PASSWORD, or the first line of what
// $IOEMAIL_<side>_PASSCMD prints (run with sh -c). It asks for nothing when
// user is empty. Setting both variables is a usage error, as is setting
// neither for a store that has a user.
//
// No error holds the password, the command's text or its output: the
// command may be "echo secret", and its output is the secret.
func secret(ctx context.Context, side, user string, getenv func(string) string) (string, error) {
	pv, cv := secretVars(side)
	pw, cmd := getenv(pv), getenv(cv)
	if user == "" {
		if pw != "" || cmd != "" {
			return "", usagef("store %s has no user in its URL (scheme://user@host) but %s or %s is set", side, pv, cv)
		}
		return "", nil
	}
	switch {
	case pw != "" && cmd != "":
		return "", usagef("both %s and %s are set: set one", pv, cv)
	case pw != "":
		return pw, nil
	case cmd == "":
		return "", usagef("store %s logs in as %q: set %s, or %s to a command printing the password", side, user, pv, cv)
	}
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("%w: %s: %v (its output is not shown)", errSecret, cv, exitText(err))
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%w: %s printed no password", errSecret, cv)
	}
	return line, nil
}

// exitText describes how a command ended without quoting it.
func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	var en *exec.Error
	if errors.As(err, &en) {
		return en.Err.Error()
	}
	return "did not run"
}
