package codes_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/codes"
	"github.com/cogmail/cogmail/lambda/dev/moto"
)

const (
	region = "eu-west-1"
	pool   = "eu-west-1_Ab12Cd34E"
)

// script is the encryptor of the real ciphertexts the tests decrypt.
var script = filepath.Join("..", "..", "infra", "local", "encrypt-code.js")

// kmsStack is moto_server with a KMS key.
type kmsStack struct {
	endpoint string
	key      string // the key's ARN
}

// startKMS runs moto_server and creates a key. It skips without moto_server
// or Node.js and the local stack's npm packages (make node-deps), which
// encrypt as Cognito and cognito-local do.
func startKMS(t testing.TB) kmsStack {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not on PATH: the tests encrypt codes with infra/local/encrypt-code.js (Node.js 20 or newer)")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "infra", "local", "node_modules", "@aws-crypto", "client-node")); err != nil {
		t.Skip("infra/local/node_modules lacks @aws-crypto/client-node: run make node-deps")
	}
	endpoint := moto.Start(t)
	return kmsStack{endpoint: endpoint, key: newKey(t, endpoint)}
}

func newKey(t testing.TB, endpoint string) string {
	t.Helper()
	k, err := moto.KMS{Endpoint: endpoint, Region: region}.CreateKey(context.Background(), "cogmail codes test")
	require.NoError(t, err)
	return k.ARN
}

// encrypt encrypts each code under key in shape ("cognito" or
// "cognito-local"), for pool (the cognito shape's context), with one run of
// the script.
func (s kmsStack) encrypt(t testing.TB, shape, key, pool string, plain ...string) []string {
	t.Helper()
	return s.encryptArgs(t, nil, shape, key, pool, plain...)
}

// encryptArgs is encrypt with more of the script's flags.
func (s kmsStack) encryptArgs(t testing.TB, flags []string, shape, key, pool string, plain ...string) []string {
	t.Helper()
	args := append([]string{script, "--shape", shape, "--key", key, "--pool", pool, "--endpoint", s.endpoint}, flags...)
	args = append(args, plain...)
	cmd := exec.Command("node", args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "encrypt-code.js: %s", stderr.String())
	lines := strings.Fields(string(out))
	require.Len(t, lines, len(plain))
	return lines
}

// decrypter is a Decrypter for key at endpoint, with moto's dummy
// credentials.
func decrypter(t testing.TB, endpoint, key string) *codes.Decrypter {
	t.Helper()
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	d, err := codes.New(cfg, key, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	require.NoError(t, err)
	return d
}
