package postgres_test

import (
	"testing"

	"github.com/invcloud/invcloud/internal/store/storetest"
	"github.com/invcloud/invcloud/internal/testsvc"
)

func TestConformanceUsers(t *testing.T) {
	testsvc.Postgres(t)
	storetest.RunUsers(t, open)
}
