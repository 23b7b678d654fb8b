package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ioemail/ioemail/client/mailsync"
)

// isTerminal reports whether f is a character device (a terminal), the
// test the command uses to choose a redrawn progress line over log lines.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows the engine's progress: on a terminal, one line redrawn in
// place with "\r" (at most every redraw interval); otherwise an slog
// record when the mailbox or the phase changes, at the end of a phase, and
// at every hundredth of it.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	term   bool
	log    *slog.Logger
	last   mailsync.Progress
	drawn  int // width of the line on screen, 0 when none
	drawAt time.Time
	now    func() time.Time
}

// redraw is the shortest interval between two redraws of the line.
const redraw = 100 * time.Millisecond

// update is the engine's Progress callback.
func (p *progress) update(s mailsync.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := s.Mailbox != p.last.Mailbox || s.Phase != p.last.Phase
	end := s.Total > 0 && s.Done >= s.Total
	if p.term {
		if now := p.now(); changed || end || now.Sub(p.drawAt) >= redraw {
			p.draw(formatProgress(s))
			p.drawAt = now
		}
		p.last = s
		return
	}
	step := max(1, s.Total/100)
	if changed || end || s.Done/step != p.last.Done/step {
		p.log.Info("progress", "mailbox", s.Mailbox, "phase", s.Phase, "done", s.Done, "total", s.Total, "bytes", s.Bytes)
	}
	p.last = s
}

// draw replaces the line on the terminal with line.
func (p *progress) draw(line string) {
	pad := ""
	if n := p.drawn - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprint(p.w, "\r"+line+pad)
	p.drawn = len(line)
}

// clear ends the progress line, so that what is printed next starts on a
// line of its own.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn > 0 {
		p.draw("")
		fmt.Fprint(p.w, "\r")
		p.drawn = 0
	}
	p.last = mailsync.Progress{}
}

// formatProgress is the terminal line for s: the mailbox, the phase, the
// units done of the total with a bar, and the bytes copied.
func formatProgress(s mailsync.Progress) string {
	box := s.Mailbox
	if box == "" {
		box = "-"
	}
	if len(box) > 24 {
		box = "..." + box[len(box)-21:]
	}
	const width = 20
	bar := ""
	if s.Total > 0 {
		n := min(width, s.Done*width/s.Total)
		bar = " [" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
	}
	return fmt.Sprintf("%-24s %-7s %d/%d%s %s", box, s.Phase, s.Done, s.Total, bar, formatBytes(s.Bytes))
}

// formatBytes writes n in B, KiB, MiB or GiB with one decimal.
func formatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}
