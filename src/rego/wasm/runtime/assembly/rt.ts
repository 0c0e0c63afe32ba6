// The runtime (asc --runtime): a bump allocator that never frees. The heap starts after the
// plan stored at __pdp_plan_base (see index.ts); opa_heap_ptr_get/opa_heap_ptr_set move its top.
// Functions here are @global, not exported: this file is an entry file of the compilation.
import { AL_MASK, OBJECT, OBJECT_OVERHEAD, BLOCK_MAXSIZE, BLOCK_OVERHEAD, BLOCK, OBJECT_MAXSIZE, TOTAL_OVERHEAD } from "~lib/rt/common";

// 0 until the first allocation, which places the heap after the plan.
let offset: usize = 0;

// @ts-ignore: decorator
@global @inline
function __pdp_plan_addr(): usize {
  return <usize>PDP_PLAN_BASE;
}

function initOffset(): void {
  const base = __pdp_plan_addr();
  let len: usize = 0;
  if (base + 4 <= (<usize>memory.size() << 16)) len = <usize>load<u32>(base);
  offset = ((base + 4 + len + AL_MASK) & ~AL_MASK) + AL_SIZE_MINUS_BLOCK;
}

// @ts-ignore: decorator
@inline const AL_SIZE_MINUS_BLOCK: usize = AL_MASK + 1 - BLOCK_OVERHEAD;

function growTo(newOffset: usize): void {
  const pagesBefore = memory.size();
  const maxOffset = <usize>pagesBefore << 16;
  if (newOffset > maxOffset) {
    const pagesNeeded = <i32>(((newOffset - maxOffset + 0xffff) & ~0xffff) >>> 16);
    const pagesWanted = max(pagesBefore, pagesNeeded);
    if (memory.grow(pagesWanted) < 0) {
      if (memory.grow(pagesNeeded) < 0) unreachable(); // out of memory
    }
  }
  offset = newOffset;
}

// @ts-ignore: decorator
@inline function computeSize(size: usize): usize {
  return ((size + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

/** The heap's top: the first free byte (the next block's header; payloads are 16-aligned). */
// @ts-ignore: decorator
@global
function __pdp_heap_get(): usize {
  if (offset == 0) initOffset();
  return offset;
}

/** Frees everything from p on. */
// @ts-ignore: decorator
@global
function __pdp_heap_set(p: usize): void {
  offset = ((p + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe @global
function __alloc(size: usize): usize {
  if (size > BLOCK_MAXSIZE) unreachable();
  if (offset == 0) initOffset();
  const block = changetype<BLOCK>(offset);
  const ptr = offset + BLOCK_OVERHEAD;
  const payloadSize = computeSize(size);
  growTo(ptr + payloadSize);
  block.mmInfo = payloadSize;
  return ptr;
}

// @ts-ignore: decorator
@unsafe @global
function __realloc(ptr: usize, size: usize): usize {
  let block = changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
  const actualSize = block.mmInfo;
  const isLast = ptr + actualSize == offset;
  const payloadSize = computeSize(size);
  if (size > actualSize) {
    if (isLast) {
      if (size > BLOCK_MAXSIZE) unreachable();
      growTo(ptr + payloadSize);
      block.mmInfo = payloadSize;
    } else {
      const newPtr = __alloc(max<usize>(payloadSize, actualSize << 1));
      memory.copy(newPtr, ptr, actualSize);
      ptr = newPtr;
    }
  } else if (isLast) {
    offset = ptr + payloadSize;
    block.mmInfo = payloadSize;
  }
  return ptr;
}

// @ts-ignore: decorator
@unsafe @global
function __free(ptr: usize): void {
  // never frees (the host resets the whole heap between evaluations)
}

// @ts-ignore: decorator
@unsafe @global
function __new(size: usize, id: u32): usize {
  if (size > OBJECT_MAXSIZE) unreachable();
  const ptr = __alloc(OBJECT_OVERHEAD + size);
  const object = changetype<OBJECT>(ptr - BLOCK_OVERHEAD);
  object.gcInfo = 0;
  object.gcInfo2 = 0;
  object.rtId = id;
  object.rtSize = <u32>size;
  // zeroed: the compiler expects it of a runtime other than its stub/minimal ones (and memory
  // is reused after the host resets the heap)
  memory.fill(ptr + OBJECT_OVERHEAD, 0, size);
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe @global
function __renew(oldPtr: usize, size: usize): usize {
  if (size > OBJECT_MAXSIZE) unreachable();
  const oldSize = <usize>changetype<OBJECT>(oldPtr - TOTAL_OVERHEAD).rtSize;
  const newPtr = __realloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  changetype<OBJECT>(newPtr - BLOCK_OVERHEAD).rtSize = <u32>size;
  if (size > oldSize) memory.fill(newPtr + OBJECT_OVERHEAD + oldSize, 0, size - oldSize);
  return newPtr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {}

// @ts-ignore: decorator
@global @unsafe
function __collect(): void {}
