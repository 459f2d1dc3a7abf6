package newsroom_test

import (
	"testing"

	"dateline/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
