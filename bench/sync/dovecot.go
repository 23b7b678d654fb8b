package main

import (
	"fmt"
	"log"
	"os"
	"testing"
)

// benchTB lets the bench start the tests' private Dovecot
// (testpeers.StartDovecot) outside a test: it implements the few testing.TB
// methods StartDovecot, Start and Stop call (the embedded nil TB panics on
// any other, which would be a bug here). Fatal stops what was started,
// then exits.
type benchTB struct {
	testing.TB
	cleanups []func()
}

func (b *benchTB) Helper()                   {}
func (b *benchTB) Cleanup(f func())          { b.cleanups = append(b.cleanups, f) }
func (b *benchTB) Logf(f string, a ...any)   { log.Printf(f, a...) }
func (b *benchTB) Fatal(a ...any)            { b.fail(fmt.Sprint(a...)) }
func (b *benchTB) Fatalf(f string, a ...any) { b.fail(fmt.Sprintf(f, a...)) }
func (b *benchTB) Skip(a ...any)             { b.fail("cannot run: " + fmt.Sprint(a...)) }

func (b *benchTB) fail(msg string) {
	b.close()
	log.Print(msg)
	os.Exit(1)
}

// close runs the cleanups, last first: it stops Dovecot and removes its
// directory.
func (b *benchTB) close() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
	b.cleanups = nil
}

// mailUID is the uid and gid of the mail processes of the private Dovecot
// (see internal/testpeers).
const mailUID = 8
