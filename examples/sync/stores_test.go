package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

func TestParseStore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want storeURL
		err  string // substring of the usage error; "" for none
	}{
		{in: "imaps://bob@mail.example.com", want: storeURL{kind: kindIMAP, dial: "imaps://mail.example.com", user: "bob"}},
		{in: "imaps://bob@127.0.0.1:10993", want: storeURL{kind: kindIMAP, dial: "imaps://127.0.0.1:10993", user: "bob"}},
		{in: "imap://bob%40example.test@localhost:10143/", want: storeURL{kind: kindIMAP, dial: "imap://localhost:10143", user: "bob@example.test"}},
		{in: "imaps://mail.example.com", want: storeURL{kind: kindIMAP, dial: "imaps://mail.example.com"}},
		{in: "https://me@jmap.example.com/.well-known/jmap", want: storeURL{kind: kindJMAP, dial: "https://jmap.example.com/.well-known/jmap", user: "me"}},
		{in: "jmap+http://alice@127.0.0.1:18080/.well-known/jmap", want: storeURL{kind: kindJMAP, dial: "http://127.0.0.1:18080/.well-known/jmap", user: "alice"}},
		{in: "maildir:///home/me/Mail", want: storeURL{kind: kindMaildir, path: "/home/me/Mail"}},
		{in: "maildir:///home/me/Mail/?layout=fs", want: storeURL{kind: kindMaildir, path: "/home/me/Mail", layout: maildir.LayoutFS}},
		{in: "maildir://localhost/srv/mail?layout=maildir%2B%2B", want: storeURL{kind: kindMaildir, path: "/srv/mail"}},
		{in: "m2dir:///tmp/m2", want: storeURL{kind: kindM2dir, path: "/tmp/m2"}},

		{in: "imaps://bob:hunter2@mail.example.com", err: "holds a password"},
		{in: "https://bob:hunter2@jmap.example.com/", err: "holds a password"},
		{in: "imaps://bob@mail.example.com/INBOX", err: "not a mailbox"},
		{in: "imaps:///", err: "no host"},
		{in: "maildir://Mail", err: "no host"},
		{in: "maildir:relative/path", err: "absolute"},
		{in: "maildir:///m?layout=flat", err: "unknown option"},
		{in: "m2dir:///m?layout=fs", err: "unknown option"},
		{in: "maildir://bob@localhost/m", err: "no user"},
		{in: "/home/me/Mail", err: "not a store URL"},
		{in: "pop3://bob@host", err: "unknown scheme"},
		{in: "imaps://bob:p%zz@host", err: "not a URL"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseStore(tc.in)
			if tc.err != "" {
				require.Error(t, err)
				assert.True(t, errors.Is(err, errUsage), "%v is not a usage error", err)
				assert.Contains(t, err.Error(), tc.err)
				assert.NotContains(t, err.Error(), "hunter2", "the error shows the password")
				return
			}
			require.NoError(t, err)
			tc.want.text = tc.in
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestInitM2store(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new", "m2")
	require.NoError(t, initM2store(fresh))
	_, err := os.Stat(filepath.Join(fresh, m2dir.StoreMarker))
	assert.NoError(t, err, "a missing directory becomes an m2store")

	other := filepath.Join(dir, "other")
	require.NoError(t, os.MkdirAll(other, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o600))
	require.NoError(t, initM2store(other))
	_, err = os.Stat(filepath.Join(other, m2dir.StoreMarker))
	assert.True(t, os.IsNotExist(err), "a directory holding something else is not taken over")
}
