#!/usr/bin/env bash
# render.sh NNN: serve a copy of content with lesson NNN published and free, save its page and diagrams as PNG.
set -euo pipefail
n=$1; port=$((18000 + 10#$n))
d=$(mktemp -d "/tmp/render-$n-XXXX")
cp -r /work/main/content "$d/content"
f=$(ls "$d"/content/systems-engineering/lessons/"$n"-*.md)
sed -i '0,/^free_preview = .*/s//free_preview = true/; 0,/^status = "draft"/s//status = "published"/' "$f"
grep -q '^free_preview' "$f" || sed -i '0,/^order = .*/s//&\nfree_preview = true/' "$f"
slug=$(grep -m1 '^slug' "$f" | cut -d'"' -f2)
mkdir -p "$d/data"
"${DEVPATH:-/work/briefs/devpath}" serve --content-dir "$d/content" --data-dir "$d/data" --addr 127.0.0.1:$port > "$d/serve.log" 2>&1 &
pid=$!
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -s "http://127.0.0.1:$port/paths/systems-engineering/lessons/$slug" > "$d/page.html"
kill $pid
python3 - "$d" <<'PY'
import re,sys,subprocess
d=sys.argv[1]; h=open(d+'/page.html').read()
svgs=re.findall(r'<svg.*?</svg>',h,re.S)
for i,s in enumerate(svgs):
    p=f'{d}/diagram{i}.svg'; open(p,'w').write(s)
    subprocess.run(['rsvg-convert','-b','white','-w','900',p,'-o',f'{d}/diagram{i}.png'],check=True)
print(d, len(svgs), 'diagrams', 'locked' if 'in preparation' in h.lower() else '')
PY
