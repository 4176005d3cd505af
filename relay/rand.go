package relay

import (
	"math/rand"
	"sync"

	"github.com/pion/randutil"
)

// seededRand is a randutil.MathRandomGenerator with a fixed seed, so the
// relay ports pion/turn picks repeat from run to run. randutil only offers a
// crypto-seeded generator.
type seededRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

var _ randutil.MathRandomGenerator = (*seededRand)(nil)

func newSeededRand(seed int64) *seededRand {
	return &seededRand{r: rand.New(rand.NewSource(seed))} //nolint:gosec // port choice, not security
}

func (g *seededRand) Intn(n int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.r.Intn(n)
}

func (g *seededRand) Uint32() uint32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.r.Uint32()
}

func (g *seededRand) Uint64() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.r.Uint64()
}

func (g *seededRand) GenerateString(n int, runes string) string {
	letters := []rune(runes)
	b := make([]rune, n)
	for i := range b {
		b[i] = letters[g.Intn(len(letters))]
	}
	return string(b)
}
