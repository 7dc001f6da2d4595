package config

import "time"

// Redis is the [redis] section (merino-py's [default.redis]): the server the weather cache and
// the redis_cache provider type share.
type Redis struct {
	Server         string
	Replica        string
	MaxConnections int
	ConnectTimeout time.Duration
	SocketTimeout  time.Duration
}

func init() {
	sections["redis"] = func(tr *tableReader) any {
		server := tr.Str("server", "redis://localhost:6379")
		return &Redis{
			Server:         server,
			Replica:        tr.Str("replica", server),
			MaxConnections: tr.Int("max_connections", 500, 1, 1<<20),
			ConnectTimeout: floatSeconds(tr, "socket_connect_timeout_sec", 3, 600),
			SocketTimeout:  floatSeconds(tr, "socket_timeout_sec", 3, 600),
		}
	}
}

// Redis returns the [redis] section.
func (c *Config) Redis() *Redis {
	r, _ := c.Sections["redis"].(*Redis)
	return r
}
