package main

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecret(t *testing.T) {
	const pw = "s3cr3t-Pa55"
	for _, tc := range []struct {
		name  string
		side  string
		user  string
		env   map[string]string
		want  string
		usage bool   // a usage error (exit 2)
		err   string // substring of another error (exit 1)
	}{
		{name: "password", side: "A", user: "bob", env: map[string]string{"IOEMAIL_A_PASSWORD": pw}, want: pw},
		{name: "side B only reads B", side: "B", user: "bob", env: map[string]string{"IOEMAIL_A_PASSWORD": "other", "IOEMAIL_B_PASSWORD": pw}, want: pw},
		{name: "command", side: "A", user: "bob", env: map[string]string{"IOEMAIL_A_PASSCMD": "printf '%s\\n' " + pw}, want: pw},
		{name: "command first line, CRLF", side: "B", user: "bob", env: map[string]string{"IOEMAIL_B_PASSCMD": "printf '" + pw + "\\r\\nsecond line\\n'"}, want: pw},
		{name: "command without newline", side: "A", user: "bob", env: map[string]string{"IOEMAIL_A_PASSCMD": "printf " + pw}, want: pw},
		{name: "no user, nothing asked", side: "A", env: map[string]string{}, want: ""},

		{name: "both set", side: "A", user: "bob", env: map[string]string{"IOEMAIL_A_PASSWORD": pw, "IOEMAIL_A_PASSCMD": "echo " + pw}, usage: true},
		{name: "neither set", side: "A", user: "bob", env: map[string]string{"IOEMAIL_B_PASSWORD": pw}, usage: true},
		{name: "password without user", side: "B", env: map[string]string{"IOEMAIL_B_PASSWORD": pw}, usage: true},
		{name: "command fails", side: "A", user: "bob", env: map[string]string{"IOEMAIL_A_PASSCMD": "echo " + pw + "; echo " + pw + " >&2; exit 3"}, err: "exit status 3"},
		{name: "command prints nothing", side: "A", user: "bob", env: map[string]string{"IOEMAIL_A_PASSCMD": "true"}, err: "printed no password"},
		{name: "command missing", side: "A", user: "bob", env: map[string]string{"IOEMAIL_A_PASSCMD": "/nonexistent/pass-" + pw}, err: "exit status 127"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := secret(context.Background(), tc.side, tc.user, func(k string) string { return tc.env[k] })
			switch {
			case tc.usage:
				require.Error(t, err)
				assert.True(t, errors.Is(err, errUsage), "%v", err)
				assert.Equal(t, exitUsage, exitCode(err))
			case tc.err != "":
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.True(t, errors.Is(err, errSecret))
				assert.Equal(t, exitFailed, exitCode(err))
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			assert.NotContains(t, err.Error(), pw, "the error shows the secret")
		})
	}
}
