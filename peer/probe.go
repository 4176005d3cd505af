package peer

import (
	"bytes"
	"math/rand/v2"
	"sync"

	"github.com/pion/webrtc/v4"
)

// maxMessageSize is the largest probe message: 64 KiB is what every browser
// accepts on a data channel (pion's SCTP default max message size).
const maxMessageSize = 65536

// probe is the offerer's half of the data-channel echo probe: it sends n
// seeded messages and counts the echoes that come back byte for byte, in
// order (the channel is ordered and reliable, so echo i must equal message i).
type probe struct {
	msgs   [][]byte
	notify func()

	mu     sync.Mutex
	sent   int
	next   int // index of the message the next echo must equal
	echoed int
	frozen bool
}

func newProbe(seed uint64, n, size int, notify func()) *probe {
	r := rand.New(rand.NewPCG(seed, 0x70726f6265)) //nolint:gosec // payload, not secret
	msgs := make([][]byte, n)
	for i := range msgs {
		m := make([]byte, size)
		for j := 0; j < size; j += 8 {
			v := r.Uint64()
			for k := j; k < size && k < j+8; k++ {
				m[k] = byte(v >> (8 * (k - j)))
			}
		}
		msgs[i] = m
	}
	return &probe{msgs: msgs, notify: notify}
}

// send writes every message to dc; it stops at the first error.
func (p *probe) send(dc *webrtc.DataChannel) error {
	for _, m := range p.msgs {
		if err := dc.Send(m); err != nil {
			return err
		}
		p.mu.Lock()
		p.sent++
		p.mu.Unlock()
	}
	return nil
}

// onEcho is the offerer channel's OnMessage handler.
func (p *probe) onEcho(msg webrtc.DataChannelMessage) {
	p.mu.Lock()
	if !p.frozen && p.next < len(p.msgs) {
		if !msg.IsString && bytes.Equal(msg.Data, p.msgs[p.next]) {
			p.echoed++
		}
		p.next++
	}
	p.mu.Unlock()
	p.notify()
}

// counts returns messages sent and exactly echoed so far.
func (p *probe) counts() (sent, echoed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent, p.echoed
}

func (p *probe) freeze() (sent, echoed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
	return p.sent, p.echoed
}

// echo is the answerer's half: every message on the probe channel goes back
// unchanged.
func echo(dc *webrtc.DataChannel) {
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		if msg.IsString {
			_ = dc.SendText(string(msg.Data))
			return
		}
		_ = dc.Send(msg.Data)
	})
}
