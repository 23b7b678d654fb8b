package client

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// traceRequest logs an HTTP request of the JMAP client at debug level
// (Options.Trace): method, URL without its query, headers with
// Authorization redacted, and the body cut to 2 KiB.
func (j *JMAPClient) traceRequest(r *http.Request, body []byte) {
	if !j.trace {
		return
	}
	j.log.LogAttrs(context.Background(), slog.LevelDebug, "jmap wire",
		slog.String("data", "C: "+r.Method+" "+redactURL(r.URL.String())+"\n"+traceHeader(r.Header)+traceBody(body)))
}

// traceResponse logs an HTTP response like traceRequest.
func (j *JMAPClient) traceResponse(r *http.Response, body []byte) {
	if !j.trace {
		return
	}
	j.log.LogAttrs(context.Background(), slog.LevelDebug, "jmap wire",
		slog.String("data", "S: "+r.Status+"\n"+traceHeader(r.Header)+traceBody(body)))
}

func traceHeader(h http.Header) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			if k == "Authorization" || k == "Proxy-Authorization" || k == "Cookie" || k == "Set-Cookie" {
				if scheme, _, ok := strings.Cut(v, " "); ok {
					v = scheme + " " + redacted
				} else {
					v = redacted
				}
			}
			b.WriteString(k + ": " + v + "\n")
		}
	}
	return b.String()
}

func traceBody(body []byte) string {
	if len(body) > maxTraceRecord {
		return string(body[:maxTraceRecord]) + "..."
	}
	return string(body)
}

// redactURL drops the user information and the query of a URL (either may
// carry a credential).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
