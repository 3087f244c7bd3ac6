package proc

import (
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
)

func TestSessionMembers(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	st, ok := ReadStat(cmd.Process.Pid)
	require.True(t, ok)
	assert.True(t, st.Live)
	assert.Equal(t, cmd.Process.Pid, st.Session, "a session leader's session is its pid")
	assert.NotZero(t, st.Start)

	pids, err := SessionMembers(cmd.Process.Pid)
	require.NoError(t, err)
	assert.Equal(t, []int{cmd.Process.Pid}, pids)

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	pids, err = SessionMembers(cmd.Process.Pid)
	require.NoError(t, err)
	assert.Empty(t, pids)

	_, ok = ReadStat(os.Getpid())
	assert.True(t, ok)
}
