#!/usr/bin/env python3
import json, sys
if len(sys.argv) > 1 and sys.argv[1] == "--host":
    print("{}")
    sys.exit(0)
print(json.dumps({
    "etcd": {"hosts": ["etcd-01", "etcd-02"], "vars": {"service_manager": "script"}, "children": ["inner"]},
    "inner": ["inner-01"],
    "web": {"hosts": ["web-01"]},
    "_meta": {"hostvars": {"etcd-01": {"ansible_host": "10.0.0.11", "n": 1}, "web-01": {"ansible_host": "10.0.0.21"}}},
}))
