package postgres_test

import (
	"testing"

	"github.com/invcloud/invcloud/internal/store/storetest"
	"github.com/invcloud/invcloud/internal/testsvc"
)

func TestConformanceGroups(t *testing.T) {
	testsvc.Postgres(t)
	storetest.RunGroups(t, open)
}
