package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/client"
)

// TestIMAPOpenCaps checks that the capabilities after open reach the
// caller as plain strings, on Dovecot (after STARTTLS and LOGIN) and on
// imapmemserver.
func TestIMAPOpenCaps(t *testing.T) {
	dc := client.SearchTableDovecot(t)
	assert.Contains(t, dc.Open.Caps, "IDLE")
	assert.Contains(t, dc.Open.Caps, "IMAP4REV1")
	assert.NotContains(t, dc.Open.Caps, "STARTTLS", "the capabilities after STARTTLS")
	assert.Equal(t, dc.Session().Capabilities(), dc.Open.Caps)
	mem := client.SearchTableMem(t)
	assert.True(t, mem.Session().HasCapability("imap4rev2") || mem.Session().HasCapability("imap4rev1"))
}
