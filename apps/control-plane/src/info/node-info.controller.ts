import { Controller, Get } from '@nestjs/common';
import { NodeInfoService } from './node-info.service';

@Controller()
export class NodeInfoController {
  constructor(private readonly info: NodeInfoService) {}

  @Get()
  root() {
    return this.info.root();
  }

  @Get('status')
  status() {
    return this.info.status();
  }
}
