"""A concurrent editor during `apply` (reliability.md row 10): an editor appends a comment line to
main.tf at a random moment while `costfix apply` runs on a copy of fixtures/fix/shapes; the line
must never be lost (costfix compares the file's hash under its lock before it replaces it).

    python3 bench/concurrent-editor.py [TRIALS] [COSTFIX]   (default 100, target/release/costfix)
"""
import subprocess, shutil, os, random, time, tempfile, sys
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B=os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(ROOT, "target/release/costfix")
SRC=os.path.join(ROOT, "fixtures/fix/shapes")
random.seed(7)
trials=int(sys.argv[1]) if len(sys.argv) > 1 else 100; lost=0; refused=0; applied=0
for t in range(trials):
    d=tempfile.mkdtemp(); tree=os.path.join(d,"tree"); shutil.copytree(SRC,tree)
    subprocess.run([B,"--no-config","-q","fix","plan.json","--rule","CF003","--out","ops.json"],cwd=tree,capture_output=True)
    p=subprocess.Popen([B,"--no-config","apply","ops.json"],cwd=tree,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0,0.25))
    mark=f"# editor {t}\n"
    with open(os.path.join(tree,"main.tf"),"a") as f: f.write(mark)
    rc=p.wait()
    text=open(os.path.join(tree,"main.tf")).read()
    if mark not in text: lost+=1
    if rc==0: applied+=1
    else: refused+=1
    shutil.rmtree(d)
print(f"{trials} trials: editor's line lost in {lost}; apply exit 0 in {applied}, non-zero in {refused}")
