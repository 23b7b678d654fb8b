package jmap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestSSEParser(t *testing.T) {
	stream := "\xef\xbb\xbf: comment\r\n\r\nevent: ping\ndata: {\"interval\":30}\n\nid: 7\r\nevent: state\r\ndata: {\"@type\":\"StateChange\",\r\ndata: \"changed\":{\"A\":{\"Email\":\"s2\"}}}\r\n\r\ndata:x\rdata: y\r\r"
	for _, chunk := range []int{1, 2, 5, len(stream)} {
		var p SSEParser
		var evs []SSEEvent
		for i := 0; i < len(stream); i += chunk {
			got, err := p.Feed([]byte(stream[i:min(i+chunk, len(stream))]))
			require.NoError(t, err)
			evs = append(evs, got...)
		}
		require.Len(t, evs, 3, "chunk %d", chunk)
		assert.Equal(t, "ping", evs[0].Type)
		assert.Equal(t, "state", evs[1].Type)
		assert.Equal(t, "7", evs[1].ID)
		sc, err := ParseStateChange(evs[1].Data)
		require.NoError(t, err)
		assert.Equal(t, "s2", sc.Changed["A"]["Email"])
		assert.Equal(t, "message", evs[2].Type)
		assert.Equal(t, "x\ny", string(evs[2].Data))
	}
	_, err := ParseStateChange([]byte(`{"@type":"Other"}`))
	assert.ErrorIs(t, err, email.ErrProtocol)
	var p SSEParser
	_, err = p.Feed([]byte(strings.Repeat("a", maxSSELine+1)))
	assert.ErrorIs(t, err, email.ErrTooLarge)
	p = SSEParser{}
	_, err = p.Feed([]byte(strings.Repeat("data: "+strings.Repeat("x", 1000)+"\n", 300)))
	assert.ErrorIs(t, err, email.ErrTooLarge)
}
