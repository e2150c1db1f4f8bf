# -*- encoding: utf-8 -*-
Gem::Specification.new do |spec|
  spec.name    = 'single-quoted'
  spec.version = '1.0.0'
  spec.summary = 'x'
end
